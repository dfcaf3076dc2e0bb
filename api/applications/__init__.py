"""Applications (评审申请): the workflow, review, findings, rectification, publicity and
certification.
"""
