class _Rules:
    table = {3: "Fizz", 5: "Buzz"}

    @classmethod
    def apply(cls, n):
        return "".join(word for divisor, word in cls.table.items() if n % divisor == 0) or n


fizzbuzz = _Rules.apply

This works because a classmethod bound to the class takes just `n`. For example,
fizzbuzz(15) returns "FizzBuzz" and fizzbuzz(7) returns 7.
