def chime_label(n):
    if n % 6 == 1:
        return "Dong"
    elif n % 4 == 3:
        return "Ding"
    elif n % 9 == 0:
        return "Bong"
    else:
        return -n
