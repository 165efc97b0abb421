"""Raw log repository: the action dictionary and visit/action/conversion rows."""
