"""Market making: the quoting model, its estimators, the live quoter and the study.

* ``model``      the one pure quoting function (state + parameters -> desired quotes in ticks/lots)
* ``volatility`` streaming bar builder and volatility estimators (EWMA, Parkinson, Garman-Klass,
                 Rogers-Satchell, Yang-Zhang)
* ``intensity``  order-arrival intensity lambda(delta) = A * exp(-k * delta) from trade prints
* ``signals``    book signals: imbalance, micro-price, volume-adjusted mid (VAMP)
* ``study``      the Avellaneda & Stoikov (2008) section 3.3 simulation, with the same function
* ``gateway``    the order-gateway protocol the live quoter sends its intent through
* ``settings``   from the ``[quoter]`` config to one instrument's parameters and estimators
* ``working``    the quoter's own orders and the plan from working to desired quotes
* ``sender``     sends a plan through the gateway within the order rate and the position limit
* ``component``  the live quoter: bus in, estimators current, quotes out through the gateway
"""
