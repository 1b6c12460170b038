def drift_cipher(text, key):
    result = ""
    for index, char in enumerate(text):
        if "a" <= char <= "z":
            result += chr((ord(char) - 97 + key + index) % 26 + 97)
        elif "0" <= char <= "9":
            result += chr((ord(char) - 48 - key) % 10 + 48)
        else:
            result += char
    return result
