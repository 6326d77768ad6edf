"""The workspace: the pages and jobs that gather every area of the domain (the home page, the
provider and agency directory, the demo data, the daily job). It sits above every area, so that
no area has to import another to show a person the whole picture."""
