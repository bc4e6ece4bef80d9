#!/usr/bin/env python3
"""Writes bank-sms.tsv: template-made Indian bank SMS, written for this project.

Legitimate bank messages (transactions, OTPs, reminders, notices) are labelled
ham and phishing or scam messages spam, in the SMS Spam Collection's format. The
classifier trains on them beside the collection so that it learns what Indian
bank alerts look like; the test fixtures of the parser are never used. Rerun
with a fixed seed: python3 gen/bank_sms.py > bank-sms.tsv
"""
import random

rng = random.Random(20111)
banks = ["HDFC Bank", "ICICI Bank", "SBI", "Axis Bank", "Kotak Bank", "Federal Bank", "Yes Bank",
         "IDFC FIRST Bank", "PNB", "Bank of Baroda", "Canara Bank", "IndusInd Bank"]
merchants = ["AMAZON", "FLIPKART", "SWIGGY", "ZOMATO", "BIGBASKET", "UBER", "OLA", "IRCTC",
             "MYNTRA", "DMART", "RELIANCE FRESH", "APOLLO PHARMACY", "BOOKMYSHOW", "JIO",
             "AIRTEL", "BESCOM", "TATA PLAY", "NETFLIX", "SPOTIFY", "INDIAN OIL"]
handles = ["ybl", "okaxis", "oksbi", "okhdfcbank", "paytm", "upi", "ibl", "axl"]
names = ["RAVI KUMAR", "PRIYA S", "ANIL SHARMA", "MEERA NAIR", "JOHN D", "FATIMA K"]
months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def amount():
    v = rng.choice([rng.randint(10, 999), rng.randint(1000, 99999), rng.randint(100000, 2500000)])
    paise = rng.choice(["", ".00", ".%02d" % rng.randint(0, 99)])
    s = str(v)
    if v >= 1000 and rng.random() < 0.6:
        head, tail = s[:-3], s[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        s = ",".join(groups + [tail])
    return rng.choice(["Rs.", "Rs ", "INR ", "₹", "Rs. "]) + s + paise


def date():
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.choice([24, 25, 26])
    return rng.choice([
        "%02d-%s-%d" % (d, months[m - 1], y), "%02d/%02d/%d" % (d, m, y),
        "%02d-%02d-20%d" % (d, m, y), "%02d%s%d" % (d, months[m - 1].upper(), y),
        "%d %s 20%d" % (d, months[m - 1], y)])


def acct():
    return rng.choice(["A/c XX", "A/C *", "AC X", "Acct XX", "a/c **", "Account XX"]) + str(rng.randint(1000, 9999))


def ref():
    return str(rng.randint(10**11, 10**12 - 1))


def vpa():
    return rng.choice(["%d" % rng.randint(6000000000, 9999999999), rng.choice(names).split()[0].lower(),
                       "merchant%d" % rng.randint(1, 99)]) + "@" + rng.choice(handles)


def tail():
    return rng.choice(["", " Not you? Call 1800%07d." % rng.randint(0, 9999999),
                       " If not done by you, SMS BLOCK %d to 9%09d." % (rng.randint(1000, 9999), rng.randint(0, 999999999)),
                       " -" + rng.choice(banks), " Avl Bal " + amount() + "."])


ham_templates = [
    lambda: "%s debited from %s on %s to VPA %s (UPI Ref No %s).%s" % (amount(), acct(), date(), vpa(), ref(), tail()),
    lambda: "Sent %s from %s %s to %s on %s. UPI Ref %s.%s" % (amount(), rng.choice(banks), acct(), vpa(), date(), ref(), tail()),
    lambda: "%s credited to your %s on %s by NEFT from %s. UTR %s.%s" % (amount(), acct(), date(), rng.choice(names), ref(), tail()),
    lambda: "%s spent on your %s Credit Card XX%d at %s on %s. Avl Limit: %s.%s" % (amount(), rng.choice(banks), rng.randint(1000, 9999), rng.choice(merchants), date(), amount(), tail()),
    lambda: "Dear Customer, %s withdrawn at ATM from %s on %s. Avl bal %s.%s" % (amount(), acct(), date(), amount(), tail()),
    lambda: "Your %s has been credited with %s on %s towards salary. Available balance %s." % (acct(), amount(), date(), amount()),
    lambda: "%d is the OTP for your transaction of %s at %s on card XX%d. Valid for 10 mins. Do not share it with anyone. -%s" % (rng.randint(100000, 999999), amount(), rng.choice(merchants), rng.randint(1000, 9999), rng.choice(banks)),
    lambda: "OTP %d to log in to %s NetBanking. Never share your OTP, PIN or CVV with anyone." % (rng.randint(100000, 999999), rng.choice(banks)),
    lambda: "Your %s Credit Card statement is ready. Total amount due %s, minimum due %s, payable by %s." % (rng.choice(banks), amount(), amount(), date()),
    lambda: "Reminder: %s will be debited from your %s on %s towards %s AutoPay." % (amount(), acct(), date(), rng.choice(merchants)),
    lambda: "Refund of %s from %s has been credited to your %s on %s.%s" % (amount(), rng.choice(merchants), acct(), date(), tail()),
    lambda: "Your txn of %s at %s on card XX%d failed due to insufficient balance. %s" % (amount(), rng.choice(merchants), rng.randint(1000, 9999), rng.choice(banks)),
    lambda: "IMPS of %s from %s to %s on %s is successful. Ref %s.%s" % (amount(), acct(), rng.choice(names), date(), ref(), tail()),
    lambda: "Your e-mandate for %s towards %s is registered. UMRN %s%d. -%s" % (amount(), rng.choice(merchants), rng.choice(["HDFC", "ICIC", "UTIB"]), rng.randint(10**10, 10**11), rng.choice(banks)),
    lambda: "Balance in your %s is %s as on %s." % (acct(), amount(), date()),
    lambda: "Your %s debit card XX%d has been blocked as requested. Call 1800%07d for a new card." % (rng.choice(banks), rng.randint(1000, 9999), rng.randint(0, 9999999)),
]

spam_templates = [
    lambda: "Dear customer your %s account will be blocked today. Update your KYC at http://%s-kyc.example.%s immediately." % (rng.choice(banks), rng.choice(["sbi", "hdfc", "icici", "bank"]), rng.choice(["in", "xyz", "top"])),
    lambda: "%s ALERT: Your PAN is not updated, your account is suspended. Click https://bit.ly/%s to verify now." % (rng.choice(banks).upper(), "".join(rng.choice("abcdefghjk") for _ in range(6))),
    lambda: "Congratulations! You have won %s in the KBC lucky draw. Call 9%09d or WhatsApp to claim your prize." % (amount(), rng.randint(0, 999999999)),
    lambda: "Your electricity connection will be disconnected tonight at 9.30 pm as last month bill was not updated. Call 9%09d immediately." % rng.randint(0, 999999999),
    lambda: "You are eligible for an instant loan of %s at 0%% interest. No documents. Apply now: http://loan%d.example.com" % (amount(), rng.randint(1, 99)),
    lambda: "Share the OTP sent to your mobile to receive %s cashback in your account today. -%s Rewards" % (amount(), rng.choice(banks)),
    lambda: "Your reward points worth %s expire today! Redeem now at http://rewards-%s.example.net" % (amount(), rng.choice(["sbi", "hdfc", "axis"])),
    lambda: "Dear user, %s has been credited to your wallet. To withdraw, verify your account at http://wallet%d.example.xyz and enter your UPI PIN." % (amount(), rng.randint(1, 99)),
    lambda: "Earn %s daily from home! Part time job, like YouTube videos. Contact on Telegram @job%d" % (amount(), rng.randint(10, 999)),
    lambda: "Get %s cashback on your next recharge! Limited time offer. T&C apply. Click http://offer%d.example.in" % (amount(), rng.randint(1, 99)),
]

rows = []
for _ in range(240):
    rows.append(("ham", rng.choice(ham_templates)()))
for _ in range(80):
    rows.append(("spam", rng.choice(spam_templates)()))
rng.shuffle(rows)
for label, text in rows:
    print(label + "\t" + text)
