"""Fine-tuning tasks: features -> head -> loss -> metrics -> predictions, one file per task family."""
