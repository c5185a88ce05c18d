"""Training and evaluation of the enrichment models: data reading, splits, fitting, scores.

Only the training scripts (``scripts/train_*.py``), the quality gates and benchmarks import this
package; the run-time stages never do (an import-linter contract keeps it so). It may import the
run-time modules, whose feature functions are the one copy both training and tagging use.
"""
