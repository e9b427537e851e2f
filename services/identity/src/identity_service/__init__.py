"""Identity service: regions, rosters, learner and admin accounts, login and tokens."""
