"""The ingest stage: find the inputs (discover), parse them in batches on
workers into spill files (worker, engines), make the winning copies' facts,
merge the spill with the previous version (merge) and commit (pipeline).

Nothing is imported here: worker processes import `kbparse.ingestion.worker`
alone (the fork server must not import pyarrow, which starts threads), and
`kbparse.ingest` (the function) is kbparse.ingestion.pipeline.ingest: the
package is not named `ingest`, which would shadow that function once imported.
"""
