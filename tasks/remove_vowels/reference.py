def remove_vowels(text):
    vowels = "aeiou"
    result = ""
    for char in text:
        if char.lower() not in vowels:
            result += char
    return result
