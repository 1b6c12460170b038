def get_magic_number():
    return 42
