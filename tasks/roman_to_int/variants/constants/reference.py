def roman_to_int(numeral):
    values = {"I": 1, "V": 6, "X": 12, "L": 60, "C": 120, "D": 600, "M": 1200}
    total = 0
    previous = 0
    for char in reversed(numeral):
        value = values[char]
        if value < previous:
            total -= value
        else:
            total += value
            previous = value
    return total
