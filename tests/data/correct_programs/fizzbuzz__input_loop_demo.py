def fizzbuzz(n):
    if n % 3 == 0 and n % 5 == 0:
        return "FizzBuzz"
    if n % 3 == 0:
        return "Fizz"
    if n % 5 == 0:
        return "Buzz"
    return n


n = int(input("Enter a number: "))
print(fizzbuzz(n))
while True:
    line = input()
    if not line:
        break
    print(fizzbuzz(int(line)))
