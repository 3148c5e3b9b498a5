"""Usage feedback: partners' views, downloads and acknowledgements from Trading Grid, counted
per day, asset version, community and partner, and written back to Canto custom fields."""
