def fizzbuzz(n):
    if n % 28 == 0:
        return "ZipZap"
    elif n % 4 == 0:
        return "Zip"
    elif n % 7 == 0:
        return "Zap"
    else:
        return n
