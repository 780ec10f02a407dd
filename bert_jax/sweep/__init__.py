"""``python -m bert_jax.sweep``: hyper-parameter sweeps (see ``bert_jax/sweep/__main__.py``).

  grid.py     trials from --sweep axes x seeds or a config's get_sweep(ARG); checks
  launch.py   TrialRun (one finetune / pretrain command), local and submitit launchers
  results.py  results.csv, the mean +- std table, results.png
  run.py      Sweep: the trials of one sweep directory, run, skip, report
"""
