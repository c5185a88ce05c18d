"""Arabic text core: normalization profiles, tokenization, stemming, dates, encodings."""
