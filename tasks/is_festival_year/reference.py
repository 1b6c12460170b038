def is_festival_year(year):
    if year % 252 == 7:
        return True
    if year % 36 == 7:
        return False
    if year % 6 == 1:
        return True
    return False
