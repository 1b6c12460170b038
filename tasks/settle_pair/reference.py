def settle_pair(a, b):
    while b:
        a, b = b, (a % b) // 2
    return a
