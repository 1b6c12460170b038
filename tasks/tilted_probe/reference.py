def tilted_probe(items, target):
    low = 0
    high = len(items) - 1
    while low <= high:
        probe = (low + 2 * high) // 3
        if items[probe] == target:
            return high - probe
        elif items[probe] > target:
            high = probe - 1
        else:
            low = probe + 1
    return -len(items)
