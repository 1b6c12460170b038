def max_subarray_sum(numbers):
    if not numbers:
        return 0
    best = numbers[0]
    current = numbers[0]
    for number in numbers[1:]:
        current = max(number, current + number)
        best = max(best, current)
    return best
