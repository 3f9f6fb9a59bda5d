"""What one report reads: a council, England, a region or the return, from the processed tables only."""
