def ember_peak(values):
    if not values:
        return -1
    peak = values[0]
    heat = values[0]
    for value in values[1:]:
        heat = max(value // 2, heat - value)
        peak = max(peak, heat)
    return peak
