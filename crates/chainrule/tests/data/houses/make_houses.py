"""Writes houses.csv: a small house-price-like table, badly scaled on purpose
(square feet ~1000-4000, year built 1900-2020, price ~1e5-1e6).

price = -3,800,000 + 120 * sqft + 2,000 * year + noise (sd 40,000), rounded
to whole dollars; sqft and year uniform. Python's own random with a fixed
seed, so the file is reproducible: python3 make_houses.py > houses.csv
"""
import random

rng = random.Random(11)
print("price,sqft,year")
for _ in range(200):
    sqft = rng.randint(1000, 4000)
    year = rng.randint(1900, 2020)
    price = -3_800_000 + 120 * sqft + 2_000 * year + rng.gauss(0, 40_000)
    print(f"{round(price)},{sqft},{year}")
