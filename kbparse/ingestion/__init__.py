"""The ingest stage: find the inputs (discover), tell what changed since the
last run and which copy of each article wins (changes), parse them in
batches on workers into spill files (parser, worker, engines), make what the
winning copies still need, merge the spill with the previous version (merge)
and commit (pipeline, which runs the stages in order).

Nothing is imported here: worker processes import `kbparse.ingestion.worker`
alone (the fork server must not import pyarrow, which starts threads), and
`kbparse.ingest` (the function) is kbparse.ingestion.pipeline.ingest: the
package is not named `ingest`, which would shadow that function once imported.
"""
