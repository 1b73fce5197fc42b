"""Screenshots: the error read out of an image (embedded, offline OCR), then the paste pipeline.

`decode` checks the bytes and makes a bounded RGB image (or a typed `ImageProblem`), `engine` runs
the PP-OCR models bundled in rapidocr-onnxruntime, `layout` puts the lines back in reading order,
`fix` mends OCR confusions in code-like tokens, and `reader` runs it all in a bounded worker pool.
"""
