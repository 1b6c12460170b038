def is_woven(text):
    pairs = {")": "<", "]": "(", ">": "["}
    stack = []
    for char in text:
        if char in "([<":
            stack.append(char)
        elif char in pairs:
            if not stack or stack.pop() != pairs[char]:
                return False
    return len(stack) <= 1
