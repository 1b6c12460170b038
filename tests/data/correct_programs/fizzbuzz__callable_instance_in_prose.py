Here's my solution

class FizzBuzzer:
    def __call__(self, n):
        if n % 15 == 0:
            return "FizzBuzz"
        if n % 3 == 0:
            return "Fizz"
        if n % 5 == 0:
            return "Buzz"
        return n

fizzbuzz = FizzBuzzer()

The instance behaves like a function.
