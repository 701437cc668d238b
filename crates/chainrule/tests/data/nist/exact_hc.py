# The exact heteroskedasticity-consistent standard errors (HC0-HC3, White
# 1980; MacKinnon & White 1985; statsmodels' cov_type) for the NIST StRD
# linear sets as chainrule reads them ("as_read" in exact_f64.py: x, y and
# each power x^k rounded to f64), in 100-digit arithmetic (mpmath). Run from
# this directory with mpmath installed:  python3 exact_hc.py > exact_hc.json
#
# Cov = (A'A)^-1 A' diag(w) A (A'A)^-1, e the residuals at the exact
# least-squares theta, h the leverages diag(A (A'A)^-1 A'):
# HC0 w = e^2, HC1 n/(n-p) e^2, HC2 e^2/(1-h), HC3 e^2/(1-h)^2.
# Wampler1/2 are left out: their data fit exactly, so the residuals are the
# rounding of the data, and any f64 theta moves them by as much as they are.
import csv, json
import mpmath as mp

mp.mp.dps = 100
DEGREE = {"Norris": 1, "Pontius": 2, "NoInt1": 1, "NoInt2": 1, "Filip": 10,
          "Longley": None, "Wampler3": 5, "Wampler4": 5, "Wampler5": 5}
INTERCEPT = {"NoInt1": False, "NoInt2": False}


def f64(text):
    return mp.mpf(float(text))


def hc(rows, degree, intercept):
    y = [f64(r[0]) for r in rows]
    if degree is None:
        X = [[mp.mpf(1)] + [f64(v) for v in r[1:]] for r in rows]
    else:
        X = [([mp.mpf(1)] if intercept else [])
             + [mp.mpf(float(f64(r[1]) ** k)) for k in range(1, degree + 1)]
             for r in rows]
    A, Y = mp.matrix(X), mp.matrix(y)
    n, p = A.rows, A.cols
    G = mp.inverse(A.T * A)
    theta = G * (A.T * Y)
    e = Y - A * theta
    B = G * A.T  # p x n: column i is (A'A)^-1 a_i
    h = [sum(A[i, j] * B[j, i] for j in range(p)) for i in range(n)]
    out = {}
    for name in ["HC0", "HC1", "HC2", "HC3"]:
        w = []
        for i in range(n):
            e2 = e[i] ** 2
            w.append({"HC0": e2, "HC1": e2 * n / (n - p), "HC2": e2 / (1 - h[i]),
                      "HC3": e2 / (1 - h[i]) ** 2}[name])
        out[name] = [float(mp.sqrt(sum(w[i] * B[j, i] ** 2 for i in range(n))))
                     for j in range(p)]
    return out


out = {}
for name, degree in DEGREE.items():
    rows = list(csv.reader(open(name + ".csv")))[1:]
    out[name] = hc(rows, degree, INTERCEPT.get(name, True))
print(json.dumps(out, indent=1))
