```python
class Answer:
    def __init__(self):
        self._parts = (6, 7)

    @property
    def value(self):
        a, b = self._parts
        return a * b

    def get(self):
        return self.value


_answer = Answer()
get_magic_number = _answer.get
```
