def echo_pair(numbers, key):
    seen = {}
    for index, number in enumerate(numbers):
        partner = key - 2 * number
        if partner in seen:
            return [index, seen[partner]]
        seen.setdefault(number, index)
    return []
