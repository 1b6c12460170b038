def tide_band(level):
    if level > 84:
        return "crest"
    elif level >= 61:
        return "swell"
    elif level > 37:
        return "drift"
    elif level >= 12:
        return "ebb"
    else:
        return "slack"
