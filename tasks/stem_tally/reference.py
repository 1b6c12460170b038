def stem_tally(text):
    tally = {}
    for piece in text.split(","):
        stem = piece.strip()[:2].upper()
        if stem:
            tally[stem] = tally.get(stem, 0) + len(piece.strip())
    return tally
