package msp

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/keeper-go/keeper/internal/keeper/pb/enterprisepb"
)

func TestParseProduct(t *testing.T) {
	for in, want := range map[string]string{"business": "business", "enterprise_plus": "enterprisePlus",
		"enterprisePlus": "enterprisePlus", "ENTERPRISE-PLUS": "enterprisePlus", "Business Plus": "businessPlus",
		" business_starter ": "businessStarter", "enterprise": "enterprise"} {
		if p, err := ParseProduct(in); err != nil || p.Code != want {
			t.Errorf("%q: %+v %v", in, p, err)
		}
	}
	for _, bad := range []string{"", "gold", "enterprise plus plus", "_"} {
		_, err := ParseProduct(bad)
		inputErr(t, err, "Unknown Product")
	}
	if a, err := ParseAddOnCode("Connection_Manager"); err != nil || a.Code != "connection_manager" {
		t.Fatalf("%+v %v", a, err)
	}
	_, err := ParseAddOnCode("onboarding_and_certificate")
	inputErr(t, err, `Unknown Add On: "onboarding_and_certificate" (valid: chat, `)
}

func TestNewPermits(t *testing.T) {
	on, off := true, false
	tb, _ := FilePlanByName("1TB")
	m := &pb.MspInfo{EnterpriseId: 3456, AllowedMcProducts: []string{"Enterprise", "business", "legacyPlan"},
		AllowedAddOns: []string{"CHAT", "secrets_manager", "old_addon"}, MaxFilePlanType: "STORAGE_100GB"}
	biz, _ := ParseProduct("business")
	ent, _ := ParseProduct("enterprise")
	plus, _ := ParseProduct("enterprise_plus")
	kcm, _ := ParseAddOnCode("connection_manager")
	ksm, _ := ParseAddOnCode("secrets_manager")

	// Nothing that changes the permits: an add of what is there, the
	// current unlimited setting.
	rq, changed := NewPermits(m, PermitChange{AddProducts: []Plan{biz}, AllowUnlimited: &off})
	if changed {
		t.Fatalf("no change reported as one: %v", rq)
	}
	want := &pb.UpdateMSPPermitsRequest{MspEnterpriseId: 3456, AllowedMcProducts: []string{"business", "enterprise", "legacyPlan"},
		AllowedAddOns: []string{"chat", "secrets_manager", "old_addon"}, MaxFilePlanType: "STORAGE_100GB"}
	if !proto.Equal(rq, want) {
		t.Fatalf("canonical request\n got %v\nwant %v", rq, want)
	}

	rq, changed = NewPermits(m, PermitChange{AddProducts: []Plan{plus, ent}, RemoveProducts: []Plan{biz, plus},
		AddAddOns: []AddOn{kcm}, RemoveAddOns: []AddOn{ksm}, MaxFilePlan: &tb, AllowUnlimited: &on})
	want = &pb.UpdateMSPPermitsRequest{MspEnterpriseId: 3456, AllowedMcProducts: []string{"enterprise", "legacyPlan"},
		AllowedAddOns: []string{"chat", "connection_manager", "old_addon"}, MaxFilePlanType: "STORAGE_1TB", AllowUnlimitedLicenses: true}
	if !changed || !proto.Equal(rq, want) {
		t.Fatalf("edit\n got %v %v\nwant %v", changed, rq, want)
	}
	if _, changed := NewPermits(m, PermitChange{MaxFilePlan: &tb}); !changed {
		t.Fatal("file plan change not seen")
	}
	if (PermitChange{}).Empty() != true || (PermitChange{AllowUnlimited: &off}).Empty() {
		t.Fatal("Empty")
	}
}

type restFake struct {
	endpoints []string
	rqs       []proto.Message
	answer    proto.Message
}

func (f *restFake) Call(_ context.Context, endpoint string, rq, rs proto.Message) error {
	f.endpoints = append(f.endpoints, endpoint)
	f.rqs = append(f.rqs, rq)
	if f.answer != nil && rs != nil {
		b, _ := proto.Marshal(f.answer)
		return proto.Unmarshal(b, rs)
	}
	return nil
}

func TestDistributorCalls(t *testing.T) {
	f := &restFake{answer: &pb.GetDistributorInfoResponse{Distributors: []*pb.Distributor{
		{Name: "Demo Distributor", MspInfos: []*pb.MspInfo{{EnterpriseId: 1, EnterpriseName: "Demo MSP"}, {EnterpriseId: 2}}},
		{Name: "Other", MspInfos: []*pb.MspInfo{{EnterpriseId: 3}}}}}}
	msps, err := DistributorInfo(context.Background(), f)
	if err != nil || len(msps) != 3 || msps[0].Distributor != "Demo Distributor" || msps[0].EnterpriseName != "Demo MSP" ||
		msps[2].Distributor != "Other" || msps[2].EnterpriseId != 3 {
		t.Fatalf("%v %v", msps, err)
	}
	if f.endpoints[0] != "distributor/get_distributor_info" || f.rqs[0] != nil {
		t.Fatalf("no payload: %v %v", f.endpoints, f.rqs)
	}
	f.answer = nil
	rq := &pb.UpdateMSPPermitsRequest{MspEnterpriseId: 1}
	if err := UpdatePermits(context.Background(), f, rq); err != nil || f.endpoints[1] != "distributor/update_msp_permits" || f.rqs[1] != rq {
		t.Fatalf("%v %v", err, f.endpoints)
	}
}

func TestLicenseLogEntryLenient(t *testing.T) {
	var rs LicenseLogReply
	err := json.Unmarshal([]byte(`{"log": [
		{"id": 7, "date": "2024-03-01 10:00:00", "enterprise_id": 3001, "enterprise_name": "Alpha", "status": "Allocated",
		 "new_number_of_seats": 10, "new_product_type": "business", "note": "n", "price": "$45.00"},
		{"id": "8", "date": 1709287200000, "enterprise_id": "3002", "enterprise_name": null, "status": "Removed",
		 "new_number_of_seats": null, "price": 12.5, "extra": {"x": 1}}]}`), &rs)
	if err != nil {
		t.Fatal(err)
	}
	want := []LicenseLogEntry{
		{ID: 7, Date: "2024-03-01 10:00:00", EnterpriseID: 3001, EnterpriseName: "Alpha", Status: "Allocated", NewNumberOfSeats: 10,
			NewProductType: "business", Note: "n", Price: "$45.00"},
		{ID: 8, Date: "1709287200000", EnterpriseID: 3002, Status: "Removed", Price: "12.5"},
	}
	if !reflect.DeepEqual(rs.Log, want) {
		t.Fatalf("\n got %+v\nwant %+v", rs.Log, want)
	}
	// What the typed struct encodes reads back the same.
	b, _ := json.Marshal(LicenseLogReply{Log: want})
	var back LicenseLogReply
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back.Log, want) {
		t.Fatalf("round trip %v %+v", err, back)
	}
	for _, bad := range []string{`{"id": "x"}`, `{"enterprise_id": 1e99}`, `{"note": {"a": 1}}`, `[]`} {
		var e LicenseLogEntry
		if err := json.Unmarshal([]byte(bad), &e); err == nil {
			t.Errorf("%s accepted: %+v", bad, e)
		}
	}
}
