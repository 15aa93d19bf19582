"""The facts layer: recurring forms of the house style, read out of section text.

A second extraction stage after the article grammar. Each recognizer module
(status, fixes, error codes, error messages, files, registry settings) is a
pyparsing scanner over `pp.Regex` terminals built from its vocabulary file in
grammars/facts/, and returns plain row dicts; kbparse.facts.extract runs them
over an Article. Nothing here imports the tables, the schema or the pipeline.
"""
