def caesar_cipher(text, shift):
    result = ""
    for char in text:
        if "A" <= char <= "Z":
            result += chr((ord(char) - 65 + shift) % 26 + 65)
        elif "a" <= char <= "z":
            result += chr((ord(char) - 97 + shift) % 26 + 97)
        else:
            result += char
    return result
