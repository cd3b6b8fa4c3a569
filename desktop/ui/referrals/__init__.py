"""转办与时限: the due/overdue dashboard, the referrals of every case, and the re-checks tab."""
