# The money ledger arrives with the donations issue.
