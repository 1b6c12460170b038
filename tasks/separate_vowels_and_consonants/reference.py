def separate_vowels_and_consonants(input_string):
    vowels = "aeiouAEIOU"
    vowel_part = ""
    other_part = ""
    for char in input_string:
        if char in vowels:
            vowel_part += char
        else:
            other_part += char
    return vowel_part + other_part
