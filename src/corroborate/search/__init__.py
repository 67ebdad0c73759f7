"""Search: lexical (FTS5), semantic (multilingual USE embeddings) and hybrid rank fusion."""
