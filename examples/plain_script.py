"""A plain NumPy script: no npaccel in it. Run it three ways and compare:

    python examples/plain_script.py                 # NumPy
    NPACCEL=1 python examples/plain_script.py       # the same script on npaccel
    python -m npaccel examples/plain_script.py      # the same, without the variable
"""
import time

import numpy as np

t0 = time.perf_counter()
rng = np.random.default_rng(0)
n = 200_000
x = rng.standard_normal(n)
y = np.sin(x) ** 2 + np.cos(x) ** 2            # == 1
walk = np.cumsum(rng.choice([-1.0, 1.0], size=n))
a = rng.standard_normal((64, 64)) + 64 * np.eye(64)
sol = np.linalg.solve(a, np.ones(64))
spectrum = np.abs(np.fft.rfft(x))
u = np.zeros(256)
u[100:150] = 1.0
for _ in range(100):                           # an in-place stencil loop
    u[1:-1] += 0.25 * (u[:-2] - 2 * u[1:-1] + u[2:])

print("array type      :", type(x).__module__ + "." + type(x).__name__)
print("max |y - 1|     :", float(np.max(np.abs(y - 1))))
print("walk end, range :", float(walk[-1]), float(np.ptp(walk)))
print("residual        :", float(np.linalg.norm(a @ sol - 1)))
print("spectrum peak   :", round(float(spectrum.max()), 6))
print("heat mass       :", round(float(u.sum()), 9))
print(f"wall time       : {time.perf_counter() - t0:.3f} s")
