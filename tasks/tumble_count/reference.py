def tumble_count(n):
    steps = 0
    while n > 1:
        if n % 3 == 0:
            n = n // 3
        else:
            n = n + 1
        steps += 1
    return steps
