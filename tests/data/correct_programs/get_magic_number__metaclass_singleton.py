```python
class Singleton(type):
    _instances = {}

    def __call__(cls, *args, **kwargs):
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__(*args, **kwargs)
        return cls._instances[cls]


class Oracle(metaclass=Singleton):
    def __init__(self):
        self.answer = 40 + 2


def get_magic_number():
    return Oracle().answer
```
