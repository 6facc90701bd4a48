"""The worklist: the filtered, sortable list of referrals."""
