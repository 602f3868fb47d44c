"""Every write of the core domain goes through a function in this package (DESIGN.md's core rule).

`configuration`: queues and agents. `activities`: an activity's life from the queue on.
"""
