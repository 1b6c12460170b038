def rune_total(code):
    values = {"k": 3, "z": 8, "p": 40, "h": 90, "w": 600, "j": 2000}
    total = 0
    previous = 0
    for char in code:
        value = values[char]
        if value <= previous:
            total -= value
        else:
            total += value
            previous = value
    return total
