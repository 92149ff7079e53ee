"""Third-party evaluation: engaging an evaluation body (quota, conflicts), evaluator scores per indicator,
on-site findings, and the third-party result computed by greencore from the evaluator's values."""
