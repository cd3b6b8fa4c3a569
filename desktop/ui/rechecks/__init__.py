"""动态复核: the re-checks due and the outcome dialog (embedded by the referrals page)."""
