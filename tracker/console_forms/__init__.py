"""The staff console's write forms (SPEC "The staff console", "Writing"): managers keep their
projects current from the pages they read, under the API's rules, through the API's services.

views.py    the forms' addresses (each shows its form on GET and does its write on POST)
forms.py    each form's fields and the API schema that judges them
reading.py  what a posted field's text becomes before the API's schema reads it
messages.py what a person is told about a refused value, in the page's language
"""
