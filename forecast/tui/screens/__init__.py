"""Full screens: questions, question detail, evidence inbox, scores, help."""
