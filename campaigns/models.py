# Campaign pages arrive with the campaigns issue.
