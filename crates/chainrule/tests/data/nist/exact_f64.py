# The exact least-squares answers for the NIST StRD linear sets as
# chainrule's tests read them, in 100-digit arithmetic (mpmath). Run from
# this directory with mpmath installed:  python3 exact_f64.py > exact_f64.json
#
# "as_read": x and y parsed to the nearest f64 (as the CSV reader does), the
#   powers x^k rounded to the nearest f64 (as the formula's I(x^k) does).
# "exact_powers": the same f64 x and y, the powers x^k exact.
# NIST's certified values are for the decimal data; these say what the best
# possible answer for the f64 data is, to which the solver is held.
import csv, json
import mpmath as mp

mp.mp.dps = 100
DEGREE = {"Norris": 1, "Pontius": 2, "NoInt1": 1, "NoInt2": 1, "Filip": 10,
          "Longley": None, "Wampler1": 5, "Wampler2": 5, "Wampler3": 5,
          "Wampler4": 5, "Wampler5": 5}
INTERCEPT = {"NoInt1": False, "NoInt2": False}


def f64(text):
    return mp.mpf(float(text))


def solve(rows, degree, intercept, round_powers):
    y = [f64(r[0]) for r in rows]
    if degree is None:
        X = [[mp.mpf(1)] + [f64(v) for v in r[1:]] for r in rows]
    else:
        def power(x, k):
            v = x ** k
            return mp.mpf(float(v)) if round_powers else v
        X = [([mp.mpf(1)] if intercept else [])
             + [power(f64(r[1]), k) for k in range(1, degree + 1)] for r in rows]
    A, Y = mp.matrix(X), mp.matrix(y)
    G = mp.inverse(A.T * A)
    theta = G * (A.T * Y)
    res = Y - A * theta
    rss = sum(v ** 2 for v in res)
    n, p = len(rows), A.cols
    s2 = rss / (n - p)
    ybar = sum(y) / n if intercept else 0
    tss = sum((v - ybar) ** 2 for v in y)
    g = lambda v: float(v)  # the nearest f64; json writes 17 digits
    return {"theta": [g(theta[k]) for k in range(p)],
            "std_error": [g(mp.sqrt(s2 * G[k, k])) for k in range(p)],
            "residual_sd": g(mp.sqrt(s2)),
            "r_squared": g(1 - rss / tss)}


out = {}
for name, degree in DEGREE.items():
    rows = list(csv.reader(open(name + ".csv")))[1:]
    intercept = INTERCEPT.get(name, True)
    out[name] = {"as_read": solve(rows, degree, intercept, True),
                 "exact_powers": solve(rows, degree, intercept, False)}
print(json.dumps(out, indent=1))
