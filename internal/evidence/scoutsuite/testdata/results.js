scoutsuite_results =
{
  "account_id": "111111111111",
  "last_run": {"ruleset_name": "default", "time": "2025-01-01 12:00:00+0200"},
  "services": {
    "iam": {
      "findings": {
        "iam-root-account-no-mfa": {"checked_items": 1, "flagged_items": 1, "items": ["iam.credential_reports.<root_account>.mfa_active"], "level": "danger", "description": "Root Account without MFA"},
        "iam-password-policy-no-expiration": {"checked_items": 1, "flagged_items": 0, "items": [], "level": "warning"}
      },
      "users": {"u1": {"name": "alice"}}
    },
    "s3": {
      "findings": {
        "s3-bucket-no-logging": {"checked_items": 3, "flagged_items": 2, "items": ["s3.buckets.b1.logging", "s3.buckets.b2.logging"], "level": "warning"},
        "s3-bucket-world-acl": {"checked_items": 0, "flagged_items": 0, "items": [], "level": "danger"}
      }
    },
    "vpc": {"regions": {}}
  },
  "provider_code": "aws",
  "provider_name": "Amazon Web Services"
}
